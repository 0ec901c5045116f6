"""The Discord adapter: help channels, forum posts, slash commands and context menus.

It only guards, translates Discord events into core commands, calls `CommunityBot.handle`
and renders the result back into Discord shapes. Every Q&A rule lives in `bot/`.
Start it with `adapters.discord.runner.run_discord`.
"""
