"""The Slack adapter: help-channel threads, slash commands, a message shortcut and App Home.

Thin by design: every listener guards, translates the Slack payload into a core command, calls
`CommunityBot.handle` and renders the result with Block Kit. The Q&A rules live in `bot/`.
"""
