"""The reporting vault: reports in a database of their own, written by batches without a clock."""
