package com.smartenroll.sample.logic

/**
 * The time source of the sample's logic. Countdowns and announcement throttling read it, so the
 * host tests drive them with a manual clock instead of waiting for real time.
 */
interface Clock {
    /** Wall-clock time in Unix milliseconds (the SDK reports resend times in the same unit). */
    fun nowMillis(): Long

    /** Suspends until [millis] have passed on this clock. */
    suspend fun sleep(millis: Long)
}

/** The real clock: `System.currentTimeMillis()` and `kotlinx.coroutines.delay`. */
object SystemClock : Clock {
    override fun nowMillis(): Long = System.currentTimeMillis()

    override suspend fun sleep(millis: Long) = kotlinx.coroutines.delay(millis)
}
