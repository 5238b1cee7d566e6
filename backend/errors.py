"""HTTP errors with a message a student can read; the app turns them into JSON bodies."""

from fastapi import HTTPException


def not_found(message: str, **extra) -> HTTPException:
    return HTTPException(status_code=404, detail={"message": message, **extra})


def conflict(message: str) -> HTTPException:
    return HTTPException(status_code=409, detail={"message": message})


def too_large(message: str) -> HTTPException:
    return HTTPException(status_code=413, detail={"message": message})


def bad_request(message: str) -> HTTPException:
    return HTTPException(status_code=400, detail={"message": message})
