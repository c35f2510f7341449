"""Export formats, without the ORM: column plans, cell formatting and the COPY SQL.

The selectors (`surveys.selectors.exports`) run the queries; everything here is
plain data and plain functions, shared by the streaming endpoints, the export
jobs and `manage.py export`.
"""
