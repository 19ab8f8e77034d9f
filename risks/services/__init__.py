"""The risks app's write path: every change to the register, responses, issues and analyses."""
