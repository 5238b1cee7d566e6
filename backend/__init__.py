"""wordlab backend: serves recorded runs and live tokenization / embedding queries. Never imports torch."""
