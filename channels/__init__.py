"""The channels residents already use, on the one intake door (reports/intake.py): LINE
(Messaging API webhook, a short conversation, pushes when the report is done) and e-mail
(a mailbox read over IMAP). Each turns what it receives into a report through the door and
answers the resident in the channel they used."""
