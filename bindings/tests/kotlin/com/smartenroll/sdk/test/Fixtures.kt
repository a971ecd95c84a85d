package com.smartenroll.sdk.test

import java.awt.Color
import java.awt.Font
import java.awt.image.BufferedImage
import java.io.ByteArrayOutputStream
import java.io.File
import java.net.ServerSocket
import java.net.Socket
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import javax.imageio.ImageIO

object Fixtures {
    /** The repository's real sample selfie photo (cli/assets, public domain). */
    val selfie: ByteArray by lazy {
        val f = File(System.getProperty("user.dir"), "cli/assets/sample-selfie.jpg")
        check(f.isFile) { "${f.path} missing: run the tests from the repository root (scripts/test.sh)" }
        f.readBytes()
    }

    /** The face detector's model, as an app ships it: an asset whose bytes it hands to the SDK
     *  (`setFaceDetectorModel` / `CaptureConfig.faceModel`; the library does not embed it). */
    val faceModel: ByteArray by lazy {
        val f = File(System.getProperty("user.dir"), "models/face_detection_front_128x128_barracuda.onnx")
        check(f.isFile) { "${f.path} missing: run the tests from the repository root (scripts/test.sh)" }
        f.readBytes()
    }

    /** A synthetic ID-card side, drawn and JPEG-encoded with ImageIO. */
    fun document(label: String): ByteArray {
        val img = BufferedImage(856, 540, BufferedImage.TYPE_INT_RGB)
        val g = img.createGraphics()
        g.color = Color(225, 235, 245)
        g.fillRect(0, 0, img.width, img.height)
        g.color = Color(40, 60, 120)
        g.font = Font(Font.SANS_SERIF, Font.BOLD, 40)
        g.drawString("REPUBLICA DE PRUEBA - $label", 40, 80)
        g.color = Color.GRAY
        g.fillRect(40, 130, 240, 300)
        g.dispose()
        val out = ByteArrayOutputStream()
        check(ImageIO.write(img, "jpg", out))
        return out.toByteArray()
    }

    private val counter = AtomicInteger()

    /** A unique e-mail for one test, with sandbox trigger tags (`liveness-fail`, ...). */
    fun email(vararg tags: String): String {
        val n = counter.incrementAndGet()
        val suffix = tags.joinToString("") { "+$it" }
        return "kotlin${System.nanoTime() % 1_000_000}n$n$suffix@example.com"
    }

    /** A unique 10-digit phone. */
    fun phone(): String = "300" + (System.nanoTime() % 10_000_000).toString().padStart(7, '0')
}

/**
 * A loopback TCP server that accepts connections and never answers: requests to it stay in
 * flight until cancelled. `accepted` opens when the first connection arrives; `closedByPeer`
 * counts connections the client side closed (what a dropped Rust future does).
 */
class BlackHole : AutoCloseable {
    private val server = ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())
    val accepted = CountDownLatch(1)
    val closedByPeer = AtomicInteger()
    val url = "http://127.0.0.1:${server.localPort}"
    private val sockets = mutableListOf<Socket>()

    init {
        Thread {
            while (!server.isClosed) {
                val s = runCatching { server.accept() }.getOrNull() ?: break
                synchronized(sockets) { sockets.add(s) }
                accepted.countDown()
                Thread {
                    val buf = ByteArray(4096)
                    runCatching {
                        while (s.getInputStream().read(buf) >= 0) { /* swallow the request */ }
                        closedByPeer.incrementAndGet()
                    }
                }.apply { isDaemon = true }.start()
            }
        }.apply { isDaemon = true }.start()
    }

    fun awaitAccepted(): Boolean = accepted.await(20, TimeUnit.SECONDS)

    override fun close() {
        server.close()
        synchronized(sockets) { sockets.forEach { runCatching { it.close() } } }
    }
}

/** Reading and forging registrant tokens (JWTs) inside session snapshots, for the recovery tests. */
object Tokens {
    private val jwt = Regex("eyJ[A-Za-z0-9_-]+\\.(eyJ[A-Za-z0-9_-]+)\\.[A-Za-z0-9_-]+")

    /** The registrant token a snapshot holds. */
    fun of(snapshot: String): String = jwt.find(snapshot)?.value ?: error("no token in the snapshot")

    /** The token's claims (its payload, decoded, not verified). */
    fun claims(token: String): String =
        String(java.util.Base64.getUrlDecoder().decode(token.split('.')[1]))

    /** The `appRegistrationId` claim of the snapshot's token. */
    fun registrationIdOf(snapshot: String): String =
        Regex(""""appRegistrationId"\s*:\s*"([^"]+)"""").find(claims(of(snapshot)))?.groupValues?.get(1)
            ?: error("no appRegistrationId claim")

    /** [token] with its payload rewritten by [edit] (the signature no longer matches). */
    fun forged(token: String, edit: (String) -> String): String {
        val parts = token.split('.')
        val payload = edit(claims(token))
        val encoded = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(payload.toByteArray())
        return "${parts[0]}.$encoded.${parts[2]}"
    }

    /** The snapshot with its token's `exp` claim in the past (as if the app slept for hours). */
    fun expired(snapshot: String): String {
        val token = of(snapshot)
        val old = forged(token) { it.replace(Regex(""""exp"\s*:\s*\d+"""), "\"exp\":1000000000") }
        check(old != token)
        return snapshot.replace(token, old)
    }
}
