//! Input validation done before any request (email, phone, country code, OTP).
