package com.smartenroll.sample.logic

import org.junit.After
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File
import java.nio.file.Files
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey

/** A software AES-256 key standing in for the AndroidKeyStore one (same cipher, same format). */
class SoftwareKeys : SnapshotKeys {
    var key: SecretKey? = null

    override fun existing(): SecretKey? = key

    override fun create(): SecretKey =
        KeyGenerator.getInstance("AES").apply { init(256) }.generateKey().also { key = it }
}

class EncryptedSnapshotStoreTest {
    private val dir: File = Files.createTempDirectory("snapshot-store").toFile()
    private val file = File(dir, "session.bin")
    private val keys = SoftwareKeys()
    private val store = EncryptedSnapshotStore(keys, AtomicFileStore(file))
    private val snapshot = """{"version":1,"token":"eyJhbGciOiJIUzI1NiJ9.secret-registrant-token","email":"ana@example.com"}"""

    @After
    fun cleanUp() {
        dir.deleteRecursively()
    }

    @Test
    fun roundTripsAndIsNotReadableAtRest() {
        assertNull(store.load())
        store.save(snapshot)
        assertEquals(snapshot, store.load())
        val blob = file.readBytes()
        assertEquals(EncryptedSnapshotStore.VERSION, blob[0])
        assertEquals(1 + 12 + snapshot.toByteArray().size + 16, blob.size)
        val text = String(blob, Charsets.ISO_8859_1)
        assertFalse("no plaintext at rest", text.contains("secret-registrant-token") || text.contains("ana@example.com"))
        // A fresh IV each time: the same snapshot never gives the same bytes.
        store.save(snapshot)
        assertFalse(blob.contentEquals(file.readBytes()))
        assertEquals(snapshot, store.load())
    }

    @Test
    fun aTamperedBlobIsDiscardedNotUsed() {
        store.save(snapshot)
        for (index in listOf(0, 5, 20, file.length().toInt() - 1)) {
            store.save(snapshot)
            val blob = file.readBytes()
            blob[index] = (blob[index].toInt() xor 0x01).toByte()
            file.writeBytes(blob)
            assertNull("byte $index flipped", store.load())
            assertFalse("the damaged file is deleted", file.exists())
        }
    }

    @Test
    fun truncatedOrForeignBlobsAreDiscarded() {
        store.save(snapshot)
        val good = file.readBytes()
        for (bad in listOf(ByteArray(0), good.copyOf(10), good.copyOf(good.size - 1), byteArrayOf(9) + good.copyOfRange(1, good.size))) {
            file.writeBytes(bad)
            assertNull(store.load())
            assertFalse(file.exists())
        }
    }

    @Test
    fun aLostKeyMeansStartingOver() {
        store.save(snapshot)
        keys.key = null // e.g. the device's credentials were reset
        assertNull(store.load())
        assertFalse(file.exists())
        // A new key is made on the next save.
        store.save(snapshot)
        assertEquals(snapshot, store.load())
    }

    @Test
    fun anotherKeyCannotOpenIt() {
        store.save(snapshot)
        val other = EncryptedSnapshotStore(SoftwareKeys().apply { create() }, AtomicFileStore(file))
        assertNull(other.load())
    }

    @Test
    fun anInterruptedWriteKeepsThePreviousSnapshot() {
        store.save(snapshot)
        val before = file.readBytes()
        // A crash after the temporary file was written but before the rename.
        File(dir, "session.bin.tmp").writeBytes(byteArrayOf(1, 2, 3))
        assertArrayEquals(before, file.readBytes())
        assertEquals(snapshot, store.load())
        store.save("{\"version\":1,\"next\":true}")
        assertNotEquals(snapshot, store.load())
        assertFalse(File(dir, "session.bin.tmp").exists())
        store.clear()
        assertNull(store.load())
        assertTrue(dir.listFiles()!!.isEmpty())
    }
}
