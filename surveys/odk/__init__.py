"""ODK compatibility, pure: the site-visit XForm, its media, submission XML, OpenRosa and OData rendering.

Plain Python over plain data (no ORM): `surveys/services/submissions.py` writes,
`surveys/selectors/odk.py` reads, and `api/odk/` speaks HTTP.
"""
