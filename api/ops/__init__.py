"""Operations: metrics, request logs and traces, readiness."""
