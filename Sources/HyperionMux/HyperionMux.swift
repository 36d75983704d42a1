// Placeholder replaced by the yamux session.
