pytest_plugins = ["portal_common.testing"]
