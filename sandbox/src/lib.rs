//! Local Smart Enroll v2 sandbox server.
