"""Fixed replies: greeting and refusal."""
