"""SQLite for many writers at once: Django's SQLite backend with a queue in front of the write lock.

Used as the database ENGINE when Hosen runs on SQLite (see DATABASES in hosen/settings.py); the code is in
`base.py`, where Django looks for a backend's DatabaseWrapper.
"""
