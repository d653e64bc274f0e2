SELECT paused FROM :schema.queue_state
