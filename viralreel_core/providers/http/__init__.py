"""HTTP plumbing the providers share: transport, the retry policy, the OpenAI SDK client."""
