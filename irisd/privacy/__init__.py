"""The person's rights over their iris photos (biometric data: GDPR Art. 9, Illinois BIPA).

    jurisdictions.py  the clinic's law ([privacy] jurisdiction) and the consent text shown
    person.py         whose data it is: an account, or a client of it named by a photo label
    consents.py       consent records: grant, list, withdraw (kept after an erasure)
    gate.py           no processing without consent, when the clinic requires it
    erasure.py        erase a person's photos, results and jobs, storage and database
    export.py         a ZIP of what is held about a person (access and portability)
    retention.py      erase what is older than [privacy] retention_days

Audit: grants, withdrawals, erasures and exports are logged (`privacy.*`) with who and when,
never with tokens, image bytes, labels or the consent text.
"""
