print("hyperion-client: not built yet")
