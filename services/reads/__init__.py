"""Read use cases for the bot's screens. Each loads what one screen shows, checks that the actor
may see it (raising the DomainError the screen shows), and applies the privacy rule, so that a
flow only renders what it is given."""
