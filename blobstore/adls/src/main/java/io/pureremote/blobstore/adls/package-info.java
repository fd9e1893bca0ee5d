/**
 * {@link io.pureremote.spi.BlobStore} on Azure Data Lake Storage Gen2: {@link
 * io.pureremote.blobstore.adls.AdlsBlobStore}, its options and the {@code abfss}/{@code adls}
 * provider. Every store operation uses the Blob API (served by ADLS Gen2 accounts and by the
 * Azurite emulator); only {@link io.pureremote.blobstore.adls.AdlsBlobStore#deleteDirectory} uses
 * the Data Lake API.
 */
package io.pureremote.blobstore.adls;
