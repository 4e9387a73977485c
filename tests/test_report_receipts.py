"""Receipts: long enough, easy to copy, stored only as an Argon2id hash."""

from __future__ import annotations

import math

from bot.reporting.receipts import (
    RECEIPT_ENTROPY_BITS,
    generate_receipt,
    hash_receipt,
    normalise_receipt,
    receipt_matches,
)


def test_a_receipt_carries_more_than_64_bits() -> None:
    # Twenty independent decimal digits: 20 * log2(10) = 66.4 bits.
    assert 20 * math.log2(10) == RECEIPT_ENTROPY_BITS
    assert RECEIPT_ENTROPY_BITS > 66
    digits = normalise_receipt(generate_receipt())
    assert digits is not None and len(digits) == 20


def test_a_receipt_is_five_groups_of_four_digits_and_each_is_new() -> None:
    receipt = generate_receipt()
    groups = receipt.split(" ")
    assert [len(group) for group in groups] == [4, 4, 4, 4, 4]
    assert all(group.isdigit() for group in groups)
    assert len({generate_receipt() for _ in range(50)}) == 50


def test_repr_hides_the_receipt() -> None:
    receipt = generate_receipt()
    assert receipt not in repr(receipt)
    assert receipt.replace(" ", "") not in repr(receipt)


def test_people_may_type_it_with_dashes_or_without_spaces() -> None:
    receipt = generate_receipt()
    stored = hash_receipt(receipt)
    assert receipt_matches(stored, receipt.replace(" ", "-"))
    assert receipt_matches(stored, receipt.replace(" ", ""))
    assert not receipt_matches(stored, receipt[:-1] + ("0" if receipt[-1] != "0" else "1"))
    assert not receipt_matches(stored, "not a receipt")
    assert not receipt_matches(None, receipt)


def test_only_an_argon2id_hash_is_kept() -> None:
    receipt = generate_receipt()
    stored = hash_receipt(receipt)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert receipt.replace(" ", "") not in stored
    assert hash_receipt(receipt) != stored  # salted


def test_entry_forgives_any_separator_or_grouping_but_not_a_missing_digit() -> None:
    receipt = generate_receipt()
    digits = receipt.replace(" ", "")
    stored = hash_receipt(receipt)
    fullwidth = "".join(chr(ord(d) - ord("0") + 0xFF10) for d in digits)
    for typed in (
        digits, receipt.replace(" ", "-"), receipt.replace(" ", " - "),
        receipt.replace(" ", "\u2013"), receipt.replace(" ", "\u00a0"),  # en dash, no-break
        receipt.replace(" ", "."), f"  {digits[:10]} {digits[10:]}\n",  # grouped otherwise
        f"{digits[:7]}-{digits[7:13]}/{digits[13:]}", fullwidth,
    ):
        assert normalise_receipt(typed) == digits, typed
        assert receipt_matches(stored, typed), typed
    groups = receipt.split(" ")
    for typed in (
        " ".join(groups[:4]),  # a group left out
        " ".join(groups[1:]),
        receipt + "7",  # one digit too many
        receipt.replace(groups[2], groups[2][:3]),  # one too few
        receipt.replace(groups[0][0], "O", 1),  # a letter O for a zero is not forgiven
        "\u0664" * 20,  # Arabic-Indic digits are digits, but not ours
    ):
        assert normalise_receipt(typed) is None, typed
        assert not receipt_matches(stored, typed), typed
