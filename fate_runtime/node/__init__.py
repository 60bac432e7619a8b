"""The node itself: settings, gRPC servers and servicers, interceptors, start-up and recovery."""
