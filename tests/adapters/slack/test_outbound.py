"""`outbound.response_url_problem`: which response_urls the app posts to."""

from __future__ import annotations

import pytest

from adapters.slack.outbound import response_url_problem

SLACK_API = "https://slack.com/api/"
FAKE_API = "http://127.0.0.1:8080/api/"


@pytest.mark.parametrize(
    ("url", "api"),
    [
        ("https://hooks.slack.com/commands/T0/1/abc", SLACK_API),
        ("https://hooks.slack.com/actions/T0/1/abc", FAKE_API),  # Slack's, whatever the API
        ("HTTPS://Hooks.Slack.COM/actions/T0/1/abc", SLACK_API),
        ("https://hooks.slack.com:443/actions/T0/1/abc", SLACK_API),
        ("https://hooks.slack.com./actions/T0/1/abc", SLACK_API),
        ("http://127.0.0.1:8080/response_url/abc", FAKE_API),  # the API's own host and port
        ("HTTP://127.0.0.1:8080/response_url/abc", FAKE_API),
    ],
)
def test_slack_s_response_urls_are_used(url: str, api: str) -> None:
    assert response_url_problem(url, api) is None


@pytest.mark.parametrize(
    ("url", "api", "why"),
    [
        ("https://evil.example/hooks.slack.com/x", SLACK_API, "https://evil.example:443 is"),
        ("https://hooks.slack.com.evil.example/x", SLACK_API, "hooks.slack.com.evil.example"),
        ("https://hooks.slack.com@evil.example/x", SLACK_API, "https://evil.example:443 is"),
        ("https://evil.example#@hooks.slack.com/x", SLACK_API, "https://evil.example:443 is"),
        ("http://hooks.slack.com/actions/x", SLACK_API, "http://hooks.slack.com:80 is"),
        ("https://hooks.slack.com:8443/actions/x", SLACK_API, "hooks.slack.com:8443 is"),
        ("http://127.0.0.1:8081/response_url/x", FAKE_API, "http://127.0.0.1:8081 is"),
        ("https://127.0.0.1:8080/response_url/x", FAKE_API, "https://127.0.0.1:8080 is"),
        ("ws://hooks.slack.com/x", SLACK_API, "not an http(s) address"),
        ("javascript:alert(1)", SLACK_API, "not an http(s) address"),
        ("/response_url/x", FAKE_API, "not an http(s) address"),
        ("https:///x", SLACK_API, "not an http(s) address"),
        ("https://hooks.slack.com:port/x", SLACK_API, "not an http(s) address"),
    ],
)
def test_other_addresses_are_refused_with_why(url: str, api: str, why: str) -> None:
    found = response_url_problem(url, api)
    assert found is not None and why in found
