"""Publish/subscribe between parts of the app: base.MessageBus, memory.MemoryBus by default."""
