/** {@link io.pureremote.spi.BlobStore} on Azure Data Lake Storage Gen2. */
package io.pureremote.blobstore.adls;
