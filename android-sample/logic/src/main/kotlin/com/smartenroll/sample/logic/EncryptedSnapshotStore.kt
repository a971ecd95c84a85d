package com.smartenroll.sample.logic

import java.io.File
import java.io.IOException
import java.security.GeneralSecurityException
import javax.crypto.Cipher
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/** Where the AES key comes from: the AndroidKeyStore in the app, a software key in tests. */
interface SnapshotKeys {
    /** The existing key, or null when there is none (first run, or the key was wiped). */
    fun existing(): SecretKey?

    /** Creates (and keeps) a new AES-256 key for AES/GCM/NoPadding with random IVs. */
    fun create(): SecretKey
}

/** Raw bytes at rest. Writes must be atomic: the old content or the new one, never a mix. */
interface ByteStore {
    fun read(): ByteArray?

    fun write(bytes: ByteArray)

    fun delete()
}

/**
 * A file written atomically: the bytes go to `<name>.tmp`, are synced to disk, then renamed over
 * the file (atomic on one filesystem). A crash mid-write leaves the previous file intact.
 */
class AtomicFileStore(private val file: File) : ByteStore {
    private val temp = File(file.parentFile, file.name + ".tmp")

    override fun read(): ByteArray? = if (file.isFile) file.readBytes() else null

    override fun write(bytes: ByteArray) {
        file.parentFile?.mkdirs()
        java.io.FileOutputStream(temp).use { out ->
            out.write(bytes)
            out.fd.sync()
        }
        if (!temp.renameTo(file)) {
            temp.delete()
            throw IOException("could not replace the snapshot file")
        }
    }

    override fun delete() {
        file.delete()
        temp.delete()
    }
}

/**
 * The session snapshot encrypted at rest with AES-256-GCM:
 * `version (1 byte) | IV (12 bytes) | ciphertext + tag (16 bytes)`, with a fixed associated data
 * string binding the blob to its purpose. The key never leaves [keys] (the AndroidKeyStore on a
 * device). A blob that is truncated, of another version, tampered with, or sealed with a key that
 * no longer exists is discarded (deleted) and reads as "no snapshot": the user starts over, and
 * nothing half-read is ever used.
 */
class EncryptedSnapshotStore(private val keys: SnapshotKeys, private val bytes: ByteStore) : SnapshotStore {
    override fun load(): String? {
        val blob = try {
            bytes.read()
        } catch (_: IOException) {
            bytes.delete()
            null
        } ?: return null
        if (blob.size < HEADER + TAG_BYTES || blob[0] != VERSION) {
            bytes.delete()
            return null
        }
        // Any failure of the key store or the cipher, not only a GeneralSecurityException: the
        // AndroidKeyStore also throws ProviderException, IllegalStateException and others on some
        // devices, and a snapshot that can't be opened today won't open on the next launch.
        return try {
            val key = keys.existing() ?: run {
                bytes.delete()
                return null
            }
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(TAG_BYTES * 8, blob, 1, IV_BYTES))
            cipher.updateAAD(AAD)
            String(cipher.doFinal(blob, HEADER, blob.size - HEADER), Charsets.UTF_8)
        } catch (_: Exception) {
            bytes.delete()
            null
        }
    }

    override fun save(snapshot: String) {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        // The provider picks a fresh random IV (the Keystore key requires it).
        cipher.init(Cipher.ENCRYPT_MODE, keys.existing() ?: keys.create())
        cipher.updateAAD(AAD)
        val sealed = cipher.doFinal(snapshot.toByteArray(Charsets.UTF_8))
        val iv = cipher.iv
        if (iv.size != IV_BYTES) throw GeneralSecurityException("unexpected GCM IV length ${iv.size}")
        bytes.write(byteArrayOf(VERSION) + iv + sealed)
    }

    override fun clear() {
        bytes.delete()
    }

    companion object {
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val VERSION: Byte = 1
        const val IV_BYTES = 12
        const val TAG_BYTES = 16
        private const val HEADER = 1 + IV_BYTES
        private val AAD = "smart-enroll-sample/session-snapshot/v1".toByteArray(Charsets.UTF_8)
    }
}
