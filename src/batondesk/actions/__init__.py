"""Every write. Functions named `do_*` perform one state change inside the caller's unit of
work, record it as an event and queue its real-time notification; nothing else writes."""
