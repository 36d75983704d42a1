print("hyperion-server: not built yet")
