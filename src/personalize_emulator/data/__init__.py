"""The data room: schema rules, CSV import validation and storage, S3/local sources, exports.

Imports nothing else of ours; resources call these functions from their handlers.
"""
