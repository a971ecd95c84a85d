package com.smartenroll.sample

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.util.AtomicFile
import android.util.Log
import com.smartenroll.sample.logic.SnapshotStore
import java.io.File
import java.io.IOException
import java.security.GeneralSecurityException
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * Keeps the SDK session snapshot encrypted at rest.
 *
 * - The key is an AES-256-GCM key generated inside the AndroidKeyStore (hardware-backed where the
 *   device has a TEE/StrongBox); its material never enters the app's memory.
 * - The file, in `noBackupFilesDir`, holds `version(1) | iv(12) | ciphertext+tag`. It is written
 *   through [AtomicFile], so a crash mid-write keeps the previous snapshot.
 * - If the key is gone (app data cleared, device credentials reset) or the file is damaged, the
 *   snapshot is discarded and the user starts over; nothing is ever logged but the failure class.
 */
class KeystoreSnapshotStore(context: Context) : SnapshotStore {
    private val file = AtomicFile(File(context.noBackupFilesDir, FILE_NAME))

    override fun load(): String? {
        val bytes = try {
            file.readFully()
        } catch (_: IOException) {
            return null
        }
        if (bytes.size < 1 + IV_LENGTH + TAG_BYTES || bytes[0] != FORMAT_VERSION) {
            Log.w(TAG, "discarding an unreadable session snapshot")
            clear()
            return null
        }
        return try {
            val key = existingKey() ?: run {
                clear()
                return null
            }
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(TAG_BYTES * 8, bytes, 1, IV_LENGTH))
            cipher.updateAAD(AAD)
            val plain = cipher.doFinal(bytes, 1 + IV_LENGTH, bytes.size - 1 - IV_LENGTH)
            String(plain, Charsets.UTF_8)
        } catch (e: GeneralSecurityException) {
            Log.w(TAG, "discarding a session snapshot that no longer decrypts: ${e.javaClass.simpleName}")
            clear()
            null
        }
    }

    override fun save(snapshot: String) {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, existingKey() ?: createKey())
        cipher.updateAAD(AAD)
        val sealed = cipher.doFinal(snapshot.toByteArray(Charsets.UTF_8))
        val iv = cipher.iv
        check(iv.size == IV_LENGTH) { "unexpected GCM IV length ${iv.size}" }
        val out = file.startWrite()
        try {
            out.write(byteArrayOf(FORMAT_VERSION))
            out.write(iv)
            out.write(sealed)
            file.finishWrite(out)
        } catch (e: IOException) {
            file.failWrite(out)
            throw e
        }
    }

    override fun clear() {
        file.delete()
    }

    private fun existingKey(): SecretKey? {
        val keyStore = KeyStore.getInstance(ANDROID_KEY_STORE).apply { load(null) }
        return (keyStore.getEntry(KEY_ALIAS, null) as? KeyStore.SecretKeyEntry)?.secretKey
    }

    private fun createKey(): SecretKey {
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEY_STORE)
        generator.init(
            KeyGenParameterSpec.Builder(
                KEY_ALIAS,
                KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT,
            )
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .setRandomizedEncryptionRequired(true)
                .build(),
        )
        return generator.generateKey()
    }

    private companion object {
        const val TAG = "SmartEnrollSample"
        const val ANDROID_KEY_STORE = "AndroidKeyStore"
        const val KEY_ALIAS = "smart_enroll_session_snapshot"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val FILE_NAME = "smart_enroll_session.bin"
        const val FORMAT_VERSION: Byte = 1
        const val IV_LENGTH = 12
        const val TAG_BYTES = 16
        val AAD = "smart-enroll-sample/session-snapshot/v1".toByteArray(Charsets.UTF_8)
    }
}
