/** {@link io.pureremote.spi.BlobStore} on Amazon S3 and S3-compatible servers. */
package io.pureremote.blobstore.s3;
