extension HyperionPaths {
    /// Makes the config directory if it is missing, 0700 (it holds the secret keys), or
    /// checks an existing one (`PrivateDirectory`).
    public func prepareDirectory() throws {
        try PrivateDirectory.prepare(configDirectory, what: "the config directory", override: "HYPERION_HOME")
    }
}
