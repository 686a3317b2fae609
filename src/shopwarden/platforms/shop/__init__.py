"""Native TikTok Shop Open API client."""
