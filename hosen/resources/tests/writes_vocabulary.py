"""Writes outside an authority's pages, described for the no-lost-work coverage test."""

OTHER_WRITES = {
    "tenancy:network_skills": "a network page (no authority in its URL, so the register-wide drivers cannot "
                              "reach it): adding a skill to the shared list carries a submission key and the "
                              "version of what the page showed; both are tested in test_vocabulary.py",
}
