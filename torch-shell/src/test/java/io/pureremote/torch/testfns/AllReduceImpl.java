package io.pureremote.torch.testfns;

import io.pureremote.Distributed.TorchDistributed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A tiny all-reduce over TCP, the shape of torch's static rendezvous: node 0 listens on
 * MASTER_ADDR:MASTER_PORT (resolved through the cluster's DNS for the headless Service), the
 * others connect, send their rank and value, and get the sum back. A wrong rank (two masters, a
 * rank twice) or world size (a missing or extra node) fails.
 */
public final class AllReduceImpl implements AllReduce {
  private static final int TIMEOUT_MS = 60_000;

  @Override
  public long sumOfSquares(long salt) {
    TorchDistributed torch = TorchDistributed.current();
    if (!torch.isDistributed()) {
      throw new IllegalStateException("not a distributed call: " + torch);
    }
    long mine = salt * (torch.nodeRank() + 1L) * (torch.nodeRank() + 1L);
    return allReduce(torch, mine);
  }

  @Override
  public String context() {
    TorchDistributed torch = TorchDistributed.current();
    allReduce(torch, 1);
    return torch.toString() + ", rank " + torch.rank() + " of world size " + torch.worldSize();
  }

  @Override
  public long failOn(int failingRank, String message) {
    TorchDistributed torch = TorchDistributed.current();
    if (torch.nodeRank() == failingRank) {
      throw new IllegalArgumentException(message + " (node " + torch.nodeRank() + ")");
    }
    return allReduce(torch, 1);
  }

  static long allReduce(TorchDistributed torch, long mine) {
    String host = torch.masterAddress().orElseThrow();
    int port = torch.masterPort();
    try {
      InetAddress master = InetAddress.getByName(host);
      System.out.println("node " + torch.nodeRank() + " of " + torch.nodes() + ": master " + host + " is " + master.getHostAddress());
      if (torch.nodeRank() == 0) {
        try (ServerSocket server = new ServerSocket()) {
          server.setReuseAddress(true);
          server.bind(new InetSocketAddress(master, port));
          server.setSoTimeout(TIMEOUT_MS);
          List<Socket> peers = new ArrayList<>();
          TreeSet<Integer> ranks = new TreeSet<>();
          long sum = mine;
          for (int i = 1; i < torch.nodes(); i++) {
            Socket peer = server.accept();
            peers.add(peer);
            String[] line = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8))
                .readLine().split(" ");
            int rank = Integer.parseInt(line[0]);
            if (rank <= 0 || rank >= torch.nodes() || !ranks.add(rank)) {
              throw new IllegalStateException("rank " + rank + " is not one of 1.." + (torch.nodes() - 1) + " or came twice");
            }
            sum += Long.parseLong(line[1]);
          }
          for (Socket peer : peers) {
            new PrintWriter(peer.getOutputStream(), true, StandardCharsets.UTF_8).println(sum);
            peer.close();
          }
          System.out.println("all-reduce: ranks 0 and " + ranks + " gave " + sum);
          return sum;
        }
      }
      long deadline = System.currentTimeMillis() + TIMEOUT_MS;
      while (true) {
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(master, port), 1000);
          socket.setSoTimeout(TIMEOUT_MS);
          new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8).println(torch.nodeRank() + " " + mine);
          long sum = Long.parseLong(new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
              .readLine());
          System.out.println("node " + torch.nodeRank() + ": all-reduce gave " + sum);
          return sum;
        } catch (java.net.ConnectException e) {
          if (System.currentTimeMillis() > deadline) {
            throw e;
          }
          Thread.sleep(100);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("rendezvous at " + host + ":" + port + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
