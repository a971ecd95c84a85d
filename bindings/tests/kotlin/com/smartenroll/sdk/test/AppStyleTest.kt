package com.smartenroll.sdk.test

import com.smartenroll.sdk.ClientConfig
import com.smartenroll.sdk.DocumentSide
import com.smartenroll.sdk.EnrollState
import com.smartenroll.sdk.EnrollmentSession
import com.smartenroll.sdk.ErrorCategory
import com.smartenroll.sdk.InsecureHttp
import com.smartenroll.sdk.Outcome
import com.smartenroll.sdk.SignUpData
import com.smartenroll.sdk.SmartEnrollClient
import com.smartenroll.sdk.SmartEnrollException
import com.smartenroll.sdk.StepKind
import com.smartenroll.sdk.isTerminal
import com.smartenroll.sdk.states
import java.io.BufferedInputStream
import java.io.IOException
import java.io.InputStream
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import java.net.URI
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * A whole enrollment written as an app writes it: the screen is drawn ONLY from
 * `session.states()`, buttons call the session's suspend functions and show their exceptions'
 * `message` in a snackbar (they never read the returned state). On the way, a real network
 * failure of an automatic step (the face comparison after the selfie; the connection is dropped
 * by a loopback proxy in front of the real sandbox) must reach the screen as `Interrupted`, with
 * the error's human-readable text, and the "Try again" button (`resume()`) must finish the
 * enrollment. A stream stuck on `Processing` would hit the per-screen timeout.
 */
class AppStyleTest {
    private val sandbox = Sandbox.shared

    @Test
    fun anAppDrivenOnlyByTheStateStreamSeesAnInterruptionAndCompletes(): Unit = runBlocking {
        val projectId = sandbox.createProject(fullKyc = true)
        val email = Fixtures.email()
        FaultProxy(URI(sandbox.baseUrl)).use { proxy ->
            val config = ClientConfig(
                baseUrl = proxy.url,
                allowInsecureHttp = InsecureHttp.Loopback,
                maxRetries = 0,
            )
            SmartEnrollClient(config).use { client ->
                val flow = client.fetchFlowConfig(projectId)
                assertTrue("the sign-up form asks for the e-mail", flow.signUpForm.email)
                client.newEnrollment(flow, SignUpData(email = email, fullName = "Ana Prueba")).use { session ->
                    val app = App(session)
                    // The screen's collector starts before start(): it must see NotStarted.
                    val ui = launch(start = CoroutineStart.UNDISPATCHED) {
                        session.states().collect { app.render(it) }
                    }
                    proxy.failOnce("/v2/face-recognition/compare/")
                    app.tap { session.start() }
                    val done = app.run(
                        onEmailCode = { session.submitEmailCode(sandbox.latestCode(email)) },
                        onDocument = { s ->
                            session.submitDocument(
                                Fixtures.document(if (s.side == DocumentSide.FRONT) "FRONT" else "BACK"),
                                s.acceptedCategories.first(),
                            )
                        },
                        onSelfie = { session.submitSelfie(Fixtures.selfie) },
                        onReview = { session.confirm() },
                        onTryAgain = { session.resume() },
                    )
                    ui.cancel()

                    assertEquals("the first screen", EnrollState.NotStarted, app.rendered.first())
                    assertEquals("the face comparison request was dropped once", 1, proxy.dropped.get())
                    val interrupted = app.rendered.filterIsInstance<EnrollState.Interrupted>()
                    assertEquals("one interruption shown: ${app.rendered}", 1, interrupted.size)
                    val shown = interrupted.single()
                    assertEquals(StepKind.FACE_COMPARE, shown.step)
                    assertEquals(ErrorCategory.NETWORK, shown.error)
                    // The button's exception carries the same human-readable text as the screen.
                    val snack = app.snackbars.single()
                    assertTrue("$snack", snack.startsWith("network error"))
                    assertEquals(snack, shown.message)
                    assertFalse("no personal data in the message", snack.contains(email))
                    // After "Try again" the stream moved on (Processing, then the review).
                    val after = app.rendered.subList(app.rendered.indexOf(shown) + 1, app.rendered.size)
                    assertTrue("$after", after.any { it is EnrollState.AwaitingReview })
                    assertEquals(Outcome.COMPLETED, done.outcome)
                    assertTrue(done.token.reveal().isNotEmpty())
                }
            }
        }
    }

    /** The app: what it rendered, its snackbars, and the screen loop a user drives. */
    private class App(private val session: EnrollmentSession) {
        val rendered = mutableListOf<EnrollState>()
        val snackbars = mutableListOf<String>()
        private val screens = Channel<EnrollState>(Channel.UNLIMITED)

        fun render(state: EnrollState) {
            synchronized(rendered) { rendered.add(state) }
            screens.trySend(state)
        }

        /** A button: runs the call; a failure becomes a snackbar with the exception's message. */
        suspend fun tap(action: suspend () -> Unit) {
            try {
                action()
            } catch (e: SmartEnrollException) {
                snackbars.add(e.message ?: "")
            }
        }

        /** Shows each new screen; the "user" presses the button that screen offers. */
        suspend fun run(
            onEmailCode: suspend () -> Unit,
            onDocument: suspend (EnrollState.AwaitingDocument) -> Unit,
            onSelfie: suspend () -> Unit,
            onReview: suspend () -> Unit,
            onTryAgain: suspend () -> Unit,
        ): com.smartenroll.sdk.EnrollResult {
            var steps = 0
            while (true) {
                check(steps++ < 60) { "no end after $steps screens: $rendered" }
                val screen = withTimeout(60_000) { screens.receive() }
                if (screen.isTerminal()) return screen.result
                // Draw only the latest screen (older ones queued while a button was busy).
                if (screen != session.state()) continue
                when (screen) {
                    is EnrollState.AwaitingEmailCode -> tap(onEmailCode)
                    is EnrollState.AwaitingDocument -> tap { onDocument(screen) }
                    is EnrollState.AwaitingSelfie -> tap(onSelfie)
                    is EnrollState.AwaitingReview -> tap(onReview)
                    is EnrollState.Interrupted -> tap(onTryAgain)
                    // A spinner: wait for the next screen.
                    is EnrollState.NotStarted, is EnrollState.Processing -> Unit
                    is EnrollState.AwaitingPhoneChannel, is EnrollState.AwaitingPhoneCode ->
                        error("this flow has no phone step: $screen")
                    is EnrollState.Completed -> return screen.result
                }
            }
        }
    }
}

/**
 * A loopback HTTP/1.1 proxy in front of the sandbox. Every request goes upstream on its own
 * connection (`Connection: close`), except the next one whose path contains the armed
 * fragment: its connection is dropped without an answer, a real network failure for the SDK.
 */
class FaultProxy(private val upstream: URI) : AutoCloseable {
    private val server = ServerSocket(0, 50, InetAddress.getLoopbackAddress())
    val url = "http://127.0.0.1:${server.localPort}"
    val dropped = AtomicInteger()

    @Volatile
    private var failPath: String? = null

    init {
        Thread {
            while (!server.isClosed) {
                val client = try {
                    server.accept()
                } catch (e: IOException) {
                    break
                }
                Thread { serve(client) }.apply { isDaemon = true }.start()
            }
        }.apply { isDaemon = true }.start()
    }

    /** Drops the next request whose path contains [fragment]. */
    fun failOnce(fragment: String) {
        failPath = fragment
    }

    private fun readHead(input: InputStream): String? {
        val head = StringBuilder()
        while (!head.endsWith("\r\n\r\n")) {
            val b = input.read()
            if (b < 0) return null
            head.append(b.toChar())
        }
        return head.toString()
    }

    private fun serve(client: Socket) {
        client.use {
            val input = BufferedInputStream(client.getInputStream())
            val head = readHead(input) ?: return
            val path = head.substringBefore("\r\n").split(" ").getOrElse(1) { "" }
            val fragment = failPath
            if (fragment != null && path.contains(fragment)) {
                failPath = null
                dropped.incrementAndGet()
                return // closes the connection without an answer
            }
            val lines = head.trimEnd().split("\r\n").filterNot { it.lowercase().startsWith("connection:") }
            val rewritten = (lines + "Connection: close").joinToString("\r\n") + "\r\n\r\n"
            Socket(upstream.host, upstream.port).use { up ->
                up.getOutputStream().write(rewritten.toByteArray(Charsets.ISO_8859_1))
                up.getOutputStream().flush()
                Thread {
                    try {
                        input.copyTo(up.getOutputStream())
                    } catch (_: IOException) {
                    }
                }.apply { isDaemon = true }.start()
                try {
                    up.getInputStream().copyTo(client.getOutputStream())
                } catch (_: IOException) {
                }
            }
        }
    }

    override fun close() {
        server.close()
    }
}
