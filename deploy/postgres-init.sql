-- The key store lives in a database apart from the main one, so a backup of the main
-- database holds no keys (docs/privacy.md).
CREATE DATABASE baton_keys OWNER baton;
