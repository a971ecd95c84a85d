package com.smartenroll.sample

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import com.smartenroll.sample.logic.AtomicFileStore
import com.smartenroll.sample.logic.EncryptedSnapshotStore
import com.smartenroll.sample.logic.SnapshotKeys
import com.smartenroll.sample.logic.SnapshotStore
import java.io.File
import java.security.KeyStore
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey

/**
 * An AES-256-GCM key generated inside the AndroidKeyStore (hardware-backed where the device has a
 * TEE or StrongBox): its material never enters the app's memory, and it cannot be exported or
 * backed up. Random IVs are enforced by the key itself.
 */
class AndroidKeystoreKeys(private val alias: String = "smart_enroll_session_snapshot") : SnapshotKeys {
    override fun existing(): SecretKey? {
        val keyStore = KeyStore.getInstance(ANDROID_KEY_STORE).apply { load(null) }
        return (keyStore.getEntry(alias, null) as? KeyStore.SecretKeyEntry)?.secretKey
    }

    override fun create(): SecretKey {
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEY_STORE)
        generator.init(
            KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .setRandomizedEncryptionRequired(true)
                .build(),
        )
        return generator.generateKey()
    }

    private companion object {
        const val ANDROID_KEY_STORE = "AndroidKeyStore"
    }
}

/**
 * The session snapshot store of the app: the logic module's [EncryptedSnapshotStore] (AES-GCM,
 * tamper-evident, atomic writes; host-tested) with the AndroidKeyStore key, in a file under
 * `noBackupFilesDir` (also excluded from backups by `data_extraction_rules.xml`).
 */
fun keystoreSnapshotStore(context: Context): SnapshotStore = EncryptedSnapshotStore(
    keys = AndroidKeystoreKeys(),
    bytes = AtomicFileStore(File(context.noBackupFilesDir, "smart_enroll_session.bin")),
)
