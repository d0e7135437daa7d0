"""Take it down: victims' cases of hashes, the hash list platforms take, their feedback."""
