"""Generated answers through LangChain chat models, validated against their sources before anything is shown."""
