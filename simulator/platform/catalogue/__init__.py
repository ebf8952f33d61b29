"""The insurance catalogue on the platform: served (1312), mapped (3301/3302), looked up for every fee line."""
