"""Files customers and agents attach to messages: what is accepted, how it is cleaned, and the
account's size limit. Bytes in, checked bytes out: no database, no HTTP."""
