"""Test doubles for Slack: a local Web API that records calls, and signed requests like Slack's."""

from slack_mock.payloads import SlackPayloads
from slack_mock.signing import SignedSender, sign_request
from slack_mock.web_api import MockSlackWebApi, RecordedCall

__all__ = ["MockSlackWebApi", "RecordedCall", "SignedSender", "SlackPayloads", "sign_request"]
