// Placeholder replaced as the codecs land.
