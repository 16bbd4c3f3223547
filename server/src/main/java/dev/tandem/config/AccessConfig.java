package dev.tandem.config;

import java.util.List;

/**
 * Who may do what on the channels of a namespace. Each action lists rules; any matching rule allows it:
 * {@code anonymous} (everyone, even without a token), {@code authenticated} (any verified user),
 * {@code owner} (the user whose id is the channel's second segment: {@code user:alice}, {@code user:alice:inbox}),
 * {@code token} (a subscription token for this channel and user), {@code role:NAME} (a user with that role).
 * The {@code channels} claim of a user's token also allows subscribe, presence and history on matching
 * channels. An empty list allows nobody.
 *
 * @param subscribe who may subscribe
 * @param publish   who may publish (also needs {@code clientPublish})
 * @param presence  who may join presence and send typing
 * @param history   who may read history
 */
public record AccessConfig(List<String> subscribe, List<String> publish, List<String> presence, List<String> history) {
}
