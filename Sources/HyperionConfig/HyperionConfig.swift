// Placeholder replaced as the config module lands.
