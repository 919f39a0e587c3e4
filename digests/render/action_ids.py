"""Every Block Kit action id, view callback id and shortcut callback id the bot uses.

The views put them into blocks and the handlers listen for them: one spelling for both.
"""

from __future__ import annotations

OPEN_STANDUP = "open_standup"  # "Write my standup" buttons (reminder DM, App Home)
STANDUP_CALLBACK = "standup_submit"  # the /standup modal's view callback id
FIELD_ACTION = "value"  # the action id of each of the modal's text inputs
CLOSE_ASK = "close_ask"  # the ask DM's "Mark done"
REOPEN_ASK = "reopen_ask"  # the ask DM's "Reopen"
HOME_CLOSE_FOLLOW_UP = "home_close_follow_up"
HOME_CLOSE_ASK = "home_close_ask"
ADD_FOLLOW_UP_SHORTCUT = "add_follow_up"  # the message shortcut (manifest.yaml callback_id)
AWAY_BLOCK = "away"  # App Home's time-away actions block
AWAY_FROM = "away_from"  # its datepickers
AWAY_TO = "away_to"
AWAY_SET = "away_set"  # "Set away"
AWAY_BACK = "away_back"  # "I'm back"
SEARCH_MORE = "search_more"  # the next page of a /standup search answer
SHOW_FULL_TEXT = "show_full_text"  # "Read all" under a cut ask or follow-up (DM, App Home)
CHECKLIST_ACTION = "delivered"  # the modal's checkboxes of last week's promises
ANSWER_ASK = "answer_ask"  # "Answer" (and "Edit answer") on an ask (its DM, App Home)
ANSWER_CALLBACK = "answer_submit"  # the answer modal's view callback id
ANSWER_BLOCK = "answer"  # the answer modal's text input block
