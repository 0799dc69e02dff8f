"""Notices for every journey: who is told of what (fan-out), what people follow,
how they want to be told (inbox only, e-mail, a daily digest).

The inbox itself is :mod:`participation.notices`; this package decides who gets a
notice and writes them set-based, one statement for any number of people."""
