package com.smartenroll.sample.logic

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/**
 * A resend countdown: the code can be sent again at [availableAtMillis] (Unix ms, as reported by
 * the SDK's `AwaitingEmailCode`/`AwaitingPhoneCode` states or a rate-limit error's retry-after).
 */
data class ResendCountdown(val availableAtMillis: Long) {
    /** Whole seconds left, rounded up, never negative: 0 means "resend now". */
    fun secondsLeft(nowMillis: Long): Int {
        val left = availableAtMillis - nowMillis
        return if (left <= 0) 0 else ((left + 999) / 1000).toInt()
    }

    fun canResend(nowMillis: Long): Boolean = secondsLeft(nowMillis) == 0

    /**
     * Emits the seconds left now and then once per second on [clock], down to and including 0,
     * then completes. The UI collects it to show "Resend code in 0:42".
     */
    fun ticks(clock: Clock): Flow<Int> = flow {
        while (true) {
            val now = clock.nowMillis()
            val left = secondsLeft(now)
            emit(left)
            if (left == 0) break
            // Sleep to the next whole-second boundary of the remaining time, so the display
            // changes exactly when the rounded-up value changes.
            val untilNextChange = (availableAtMillis - now) - (left - 1) * 1000L
            clock.sleep(untilNextChange.coerceIn(1L, 1000L))
        }
    }

    companion object {
        /** The countdown for a retry-after of [seconds] from [nowMillis]. */
        fun after(nowMillis: Long, seconds: Long): ResendCountdown =
            ResendCountdown(nowMillis + seconds.coerceAtLeast(0) * 1000L)
    }
}

/** "m:ss" for a countdown label (locale-independent digits are fine for a timer). */
fun formatCountdown(seconds: Int): String {
    val s = seconds.coerceAtLeast(0)
    return "%d:%02d".format(s / 60, s % 60)
}

/** Keeps only the digits a user typed or pasted (spaces, dashes dropped), at most 6. */
fun normaliseCode(input: String): String = input.filter { it in '0'..'9' }.take(OTP_LENGTH)

/** Whether [code] is a complete 6-digit one-time code. */
fun isCompleteCode(code: String): Boolean = code.length == OTP_LENGTH && code.all { it in '0'..'9' }

const val OTP_LENGTH = 6
