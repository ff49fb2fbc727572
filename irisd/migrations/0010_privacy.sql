-- Biometric consent (irisd/privacy/consents.py): who consented (the account, or a client of
-- it named by a photo label), to what, under which text and how. No foreign key to users: the
-- record of a consent and of its withdrawal is kept after the account and its photos are
-- erased (GDPR Art. 7(1): the controller must be able to show consent; BIPA: the written
-- release). It holds no biometric data and not the consent text, only its version.
CREATE TABLE consents (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    label        TEXT,
    consent_type TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    text_version TEXT NOT NULL,
    source       TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    granted_at   TEXT NOT NULL,
    withdrawn_at TEXT
);
CREATE INDEX consents_person ON consents(user_id, label);
-- Each erasure of a person's biometric data (withdrawal, account deletion, a staff erase of a
-- label): when, by whom and how much, as proof of erasure; a later job of that person is
-- refused until a new consent is recorded (irisd/privacy/gate.py).
CREATE TABLE erasures (
    id        TEXT PRIMARY KEY,
    user_id   TEXT NOT NULL,
    label     TEXT,
    reason    TEXT NOT NULL,
    photos    INTEGER NOT NULL,
    results   INTEGER NOT NULL,
    erased_by TEXT NOT NULL,
    erased_at TEXT NOT NULL
);
CREATE INDEX erasures_person ON erasures(user_id, label);
-- A photo's person: the same lookup the consent gate and an erase by label make.
CREATE INDEX photos_user_label ON photos(user_id, label);
