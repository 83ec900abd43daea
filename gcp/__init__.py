"""Client for the Google APIs the console uses (or the local emulator): one small function per REST call.

Every function takes the session from `gcp.session.get_session()` first, sends an explicit timeout,
retries transient failures with capped exponential backoff and raises `gcp.errors` classes only.
"""
